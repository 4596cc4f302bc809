// SPDX-License-Identifier: MIT
// Copied from ../../shared/x402lab-smartwallet/contracts/MiniWallet.sol (the team's smart-wallet
// lab), unchanged but for these two lines; used by tests/lib/wallet_chain.mjs (issue 26).
pragma solidity ^0.8.20;

/// Minimal single-owner ERC-1271 smart wallet, shaped like Coinbase Smart Wallet's signature scheme:
///  * REPLAY-SAFE HASH: isValidSignature(hash, sig) does NOT check the owner's signature over `hash`
///    itself but over  replaySafeHash(hash) = keccak256("\x19\x01" || walletDomainSeparator ||
///    keccak256(abi.encode(keccak256("MiniWalletMessage(bytes32 hash)"), hash)))
///    with wallet EIP-712 domain {name "MiniWallet", version "1", chainId, verifyingContract = this}.
///    (Coinbase: "Coinbase Smart Wallet"/"1"/CoinbaseSmartWalletMessage(bytes32 hash).)  So the owner signs
///    EIP-712 typed data MiniWalletMessage{hash: <EIP-3009 digest>} -- an owner signature is bound to
///    this wallet + chain and cannot be replayed on another wallet of the same owner.
///  * TWO ENCODINGS of the same owner signature are accepted:
///      - 65 bytes r||s||v                                  (facilitator settles via (v,r,s) overload)
///      - abi.encode(uint256 ownerIndex = 0, bytes sig65)    (Coinbase SignatureWrapper shape; settles
///                                                           via the (bytes) overload)
contract MiniWallet {
    address public immutable owner;
    bytes4 private constant MAGIC = 0x1626ba7e;
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant MESSAGE_TYPEHASH = keccak256("MiniWalletMessage(bytes32 hash)");

    constructor(address owner_) { owner = owner_; }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("MiniWallet"), keccak256("1"), block.chainid, address(this)));
    }

    function replaySafeHash(bytes32 hash) public view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), keccak256(abi.encode(MESSAGE_TYPEHASH, hash))));
    }

    function isValidSignature(bytes32 hash, bytes calldata sig) external view returns (bytes4) {
        bytes memory s65;
        if (sig.length == 65) {
            s65 = sig;
        } else {
            (uint256 ownerIndex, bytes memory inner) = abi.decode(sig, (uint256, bytes));
            if (ownerIndex != 0 || inner.length != 65) return 0xffffffff;
            s65 = inner;
        }
        return _recover(replaySafeHash(hash), s65) == owner ? MAGIC : bytes4(0xffffffff);
    }

    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        bytes32 r; bytes32 s; uint8 v;
        assembly { r := mload(add(sig, 32)) s := mload(add(sig, 64)) v := byte(0, mload(add(sig, 96))) }
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) return address(0);
        if (v != 27 && v != 28) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// Owner can move funds directly (not used by x402, here for realism).
    function execute(address to, uint256 value, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "MiniWallet: not owner");
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        require(ok, "MiniWallet: call failed");
        return ret;
    }

    receive() external payable {}
}

/// CREATE2 factory: the wallet address is known before deployment (counterfactual, ERC-6492).
/// createAccount is idempotent (returns the existing wallet), like Coinbase's factory -- ERC-6492
/// verifiers and the x402 facilitator's simulation may call it for an already-deployed wallet.
contract MiniWalletFactory {
    event AccountCreated(address indexed account, address indexed owner, uint256 salt);

    function createAccount(address owner, uint256 salt) external returns (address account) {
        account = getAddress(owner, salt);
        if (account.code.length > 0) return account;
        MiniWallet w = new MiniWallet{salt: _salt(owner, salt)}(owner);
        require(address(w) == account, "MiniWalletFactory: address mismatch");
        emit AccountCreated(account, owner, salt);
    }

    function getAddress(address owner, uint256 salt) public view returns (address) {
        bytes32 initHash = keccak256(abi.encodePacked(type(MiniWallet).creationCode, abi.encode(owner)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), _salt(owner, salt), initHash)))));
    }

    function _salt(address owner, uint256 salt) internal pure returns (bytes32) { return keccak256(abi.encode(owner, salt)); }
}
